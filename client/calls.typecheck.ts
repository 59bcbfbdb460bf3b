/**
 * Compile-time test of the client (`npm run typecheck` compiles it; nothing runs it): a call to every
 * route, then one with a wrong body or parameter per route, which must fail to compile. An
 * `@ts-expect-error` that finds no error is itself an error, so a route whose types stopped
 * checking its input fails the typecheck.
 */
import { credentials, type SetlistClient } from "./index";

export async function everyRoute(client: SetlistClient, apiKey: string, token: string) {
  const headers = credentials(apiKey, token);
  await client.health.$get();
  await client.docs.$get();
  await client.dashboard.$get();
  await client.dashboard.assets[":file"].$get({ param: { file: "signin.js" } });
  // @ts-expect-error the dashboard's sign-in page has no such file
  await client.dashboard.assets[":file"].$get({ param: { file: "app.js" } });
  await client.dashboard["app.js"].$get({}, { headers });

  // Support requests for a listener, by an operator.
  const listener = { listenerId: "demo-2" };
  await client.admin.listeners.lookup.$post({ query: {}, json: listener }, { headers });
  // @ts-expect-error the listener is named in the body
  await client.admin.listeners.lookup.$post({ query: listener }, { headers });
  await client.admin.listeners.consent.$post({ query: {}, json: { ...listener, analytics: false } }, { headers });
  // @ts-expect-error consent is given with booleans
  await client.admin.listeners.consent.$post({ query: {}, json: { ...listener, analytics: "no" } }, { headers });
  await client.admin.listeners.export.$post({ query: {}, json: listener }, { headers });
  // @ts-expect-error the export names one listener
  await client.admin.listeners.export.$post({ query: {}, json: { listenerIds: ["demo-2"] } }, { headers });
  await client.admin.listeners.erase.$post({ query: {}, json: listener }, { headers });
  // @ts-expect-error erasure names the listener by id
  await client.admin.listeners.erase.$post({ query: {}, json: { listener: "demo-2" } }, { headers });

  await client.v1.me.recommendations.$get({ query: { limit: "5", activity: "workout", device: "phone" } }, { headers });
  // @ts-expect-error an activity the API does not know
  await client.v1.me.recommendations.$get({ query: { activity: "dance" } }, { headers });

  await client.v1.me["now-playing"].$get({ query: {} }, { headers });
  // @ts-expect-error the route takes no query parameters
  await client.v1.me["now-playing"].$get({ query: { limit: "5" } }, { headers });

  await client.v1.me.consent.$get({ query: {} }, { headers });
  await client.v1.me.consent.$put({ query: {}, json: { personalization: false } }, { headers });
  // @ts-expect-error consent is given with booleans
  await client.v1.me.consent.$put({ query: {}, json: { personalization: "no" } }, { headers });

  await client.v1.me.export.$get({ query: {} }, { headers });
  await client.v1.me.$delete({ query: {} }, { headers });
  // @ts-expect-error erasure takes no query parameters
  await client.v1.me.$delete({ query: { listener: "demo-2" } }, { headers });

  await client.v1.me.onboarding.$post({ query: {}, json: { genres: ["jazz"], artists: ["art-0002"] } }, { headers });
  // @ts-expect-error genres are a list of names
  await client.v1.me.onboarding.$post({ query: {}, json: { genres: "jazz" } }, { headers });

  await client.v1.me.playlists.$get({ query: { timeZone: "Europe/Stockholm" } }, { headers });
  // @ts-expect-error the listing takes no limit
  await client.v1.me.playlists.$get({ query: { limit: "5" } }, { headers });
  await client.v1.me.playlists.$post({ query: {}, json: { name: "Road trip", trackIds: ["trk-00042"] } }, { headers });
  // @ts-expect-error a saved list names a kind the API makes
  await client.v1.me.playlists.$post({ query: {}, json: { from: "weekly-jams" } }, { headers });

  const list = { id: "pl-0123456789abcdef0123" };
  const one = client.v1.me.playlists[":id"];
  await one.$get({ param: { id: "discover-weekly" }, query: {} }, { headers });
  // @ts-expect-error the list is a path parameter
  await one.$get({ query: { id: "discover-weekly" } }, { headers });
  await one.$patch({ param: list, query: {}, json: { name: "Sunday drive" } }, { headers });
  // @ts-expect-error a name is a string
  await one.$patch({ param: list, query: {}, json: { name: 7 } }, { headers });
  await one.$delete({ param: list, query: {} }, { headers });
  // @ts-expect-error deleting takes no body
  await one.$delete({ param: list, query: {}, json: {} }, { headers });
  await one.tracks.$post({ param: list, query: {}, json: { trackIds: ["trk-00042"] } }, { headers });
  // @ts-expect-error tracks are added as a list of ids
  await one.tracks.$post({ param: list, query: {}, json: { trackIds: "trk-00042" } }, { headers });
  await one.tracks.$delete({ param: list, query: {}, json: { positions: [1] } }, { headers });
  // @ts-expect-error positions are numbers
  await one.tracks.$delete({ param: list, query: {}, json: { positions: ["1"] } }, { headers });
  await one.tracks.$put({ param: list, query: {}, json: { rangeStart: 2, insertBefore: 1 } }, { headers });
  // @ts-expect-error a move needs where it goes
  await one.tracks.$put({ param: list, query: {}, json: { rangeStart: 2 } }, { headers });
  await one.shuffle.$get({ param: list, query: { seed: "42" } }, { headers });
  // @ts-expect-error seeds travel as query strings
  await one.shuffle.$get({ param: list, query: { seed: 42 } }, { headers });

  await client.v1.me.following.$get({ query: {} }, { headers });
  // @ts-expect-error the route takes no query parameters
  await client.v1.me.following.$get({ query: { limit: "5" } }, { headers });
  await client.v1.me.following[":artistId"].$put({ param: { artistId: "art-0002" }, query: {} }, { headers });
  // @ts-expect-error the artist is a path parameter
  await client.v1.me.following[":artistId"].$put({ query: { artistId: "art-0002" } }, { headers });
  await client.v1.me.following[":artistId"].$delete({ param: { artistId: "art-0002" }, query: {} }, { headers });
  // @ts-expect-error the artist is a path parameter named artistId
  await client.v1.me.following[":artistId"].$delete({ param: { id: "art-0002" }, query: {} }, { headers });

  await client.v1.me.radio.$get({ query: { seed: "artist:art-0002", limit: "10" } }, { headers });
  // @ts-expect-error limits travel as query strings
  await client.v1.me.radio.$get({ query: { seed: "genre:jazz", limit: 10 } }, { headers });

  await client.v1.events.$post(
    { query: {}, json: { events: [{ id: "ev-1", trackId: "trk-00042", type: "play", device: "phone" }] } },
    { headers },
  );
  // An answer's recommendation id, echoed in the events of what is played from it.
  const answered = await client.v1.me.recommendations.$get({ query: {} }, { headers });
  if (answered.status === 200) {
    const { recommendationId } = await answered.json();
    const event = { id: "ev-2", trackId: "trk-00042", type: "play", context: { recommendationId } } as const;
    await client.v1.events.$post({ query: {}, json: { events: [event] } }, { headers });
    // @ts-expect-error an answer's recommendation id is a string
    const served: number = recommendationId;
    void served;
  }
  const teleport = { id: "ev-1", trackId: "trk-00042", type: "teleport" } as const;
  // @ts-expect-error an event type the API does not know
  await client.v1.events.$post({ query: {}, json: { events: [teleport] } }, { headers });

  await client.v1.tracks[":id"].$get({ param: { id: "trk-00042" }, query: {} }, { headers });
  // @ts-expect-error the track id is a path parameter
  await client.v1.tracks[":id"].$get({ query: { id: "trk-00042" } }, { headers });
  await client.v1.tracks[":id"].similar.$get({ param: { id: "trk-00042" }, query: { limit: "10" } }, { headers });
  // @ts-expect-error limits travel as query strings
  await client.v1.tracks[":id"].similar.$get({ param: { id: "trk-00042" }, query: { limit: 10 } }, { headers });

  await client.v1.charts.top.$get({ query: { region: "SE", limit: "10" } }, { headers });
  // @ts-expect-error charts have no activity
  await client.v1.charts.top.$get({ query: { activity: "workout" } }, { headers });

  await client.v1.speaker.next.$get({ query: { activity: "sleep" } }, { headers });
  await client.v1.speaker.next.$get({ query: { playlist: "discover-weekly" } }, { headers });
  await client.v1.speaker.next.$get({ query: { radio: "genre:jazz" } }, { headers });
  await client.v1.speaker.next.$get({ query: { station: "st_0123456789abcdef" } }, { headers });
  // @ts-expect-error a speaker always plays on a speaker: no device parameter
  await client.v1.speaker.next.$get({ query: { device: "phone" } }, { headers });

  // Alexa calls this one itself, signed by Amazon; typed all the same.
  const launch = {
    version: "1.0",
    context: { System: { application: { applicationId: "amzn1.ask.skill.x" }, user: { accessToken: token } } },
    request: {
      type: "LaunchRequest",
      requestId: "amzn1.echo-api.request.1",
      timestamp: "2026-12-01T20:00:00Z",
      locale: "en-US",
    },
  } as const;
  await client.v1.speaker.alexa.$post({ query: {}, header: {}, json: launch });
  // @ts-expect-error an Alexa request always has its context
  await client.v1.speaker.alexa.$post({ query: {}, header: {}, json: { version: "1.0", request: launch.request } });
}

/** The answers are typed too, errors included: each documented status has its body's shape. */
export async function answers(client: SetlistClient, headers: Record<string, string>) {
  const res = await client.v1.tracks[":id"].$get({ param: { id: "trk-00042" }, query: {} }, { headers });
  if (res.status === 200) {
    const track = await res.json();
    track.features.tempo satisfies number;
    // @ts-expect-error a track has no such field
    void track.lyrics;
  } else if (res.status === 404) {
    const problem = await res.json();
    problem.detail satisfies string | undefined;
    problem.errors?.map((e) => e.path) satisfies string[] | undefined;
  }
  // @ts-expect-error the route documents no 418
  void (res.status === 418);
}
