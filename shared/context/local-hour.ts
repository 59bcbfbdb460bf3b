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
