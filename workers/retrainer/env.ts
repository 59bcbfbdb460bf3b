export interface Env extends RetrainerBindings {
  /** The same secret as the edge's: seeding and imports pseudonymise listener ids exactly as the edge does. */
  LISTENER_ID_KEY: string;
}
