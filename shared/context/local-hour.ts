// Formatters are costly to build and the set of IANA zones is small, so one per zone is kept.
const hourFormatters = new Map<string, Intl.DateTimeFormat>();

function hourFormatter(timeZone: string): Intl.DateTimeFormat | undefined {
  let formatter = hourFormatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", { timeZone, hour: "numeric", hourCycle: "h23" });
    } catch {
      return undefined; // a zone the runtime does not know
    }
    hourFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether the runtime's time zone data knows `timeZone`: the test queries validate against. */
export function isKnownTimeZone(timeZone: string): boolean {
  return hourFormatter(timeZone) !== undefined;
}

function hourInZone(timeZone: string, now: number): number | undefined {
  const formatter = hourFormatter(timeZone);
  if (!formatter) return undefined;
  const hour = Number(formatter.formatToParts(now).find((part) => part.type === "hour")?.value);
  return Number.isInteger(hour) ? hour % 24 : undefined;
}

/**
 * The listener's wall-clock hour. An ISO string with offset already states local time, so its
 * hour is read as written rather than converted; a time zone is only used when no local time is given.
 */
export function localHour(
  localTime: string | number | undefined,
  timeZone: string | undefined,
  now: number,
): number | undefined {
  if (typeof localTime === "number")
    return Number.isInteger(localTime) && localTime >= 0 && localTime <= 23 ? localTime : undefined;
  if (typeof localTime === "string") {
    const hour = Number(/(?:^|T)(\d{2}):\d{2}/.exec(localTime)?.[1]);
    if (Number.isInteger(hour) && hour <= 23) return hour;
  }
  return timeZone ? hourInZone(timeZone, now) : undefined;
}

const weekdayFormatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/**
 * The listener's day of the week (0 Sunday to 6 Saturday), read like localHour: from the date an
 * ISO local time states, else from the time zone, else UTC's.
 */
export function localWeekday(localTime: string | undefined, timeZone: string | undefined, now: number): number {
  const date = localTime && /^(\d{4})-(\d{2})-(\d{2})/.exec(localTime);
  if (date) return new Date(Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]))).getUTCDay();
  if (timeZone && isKnownTimeZone(timeZone)) {
    let formatter = weekdayFormatters.get(timeZone);
    if (!formatter)
      weekdayFormatters.set(timeZone, (formatter = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short" })));
    return WEEKDAYS.indexOf(formatter.format(now));
  }
  return new Date(now).getUTCDay();
}
