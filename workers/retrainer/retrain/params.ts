/** What starts a retrain Workflow instance (its id is the version). */
export interface RetrainParams {
  version: string;
  /**
   * The R2 prefix of a model trained elsewhere (an offline trainer reading the event lake): a finished
   * trainer saved in the layout of trainer-store.ts (`state.json` with the model's index in `kept`, arrays
   * under `arrays/`). The run then skips reading data, training and evaluating, publishes it, and deletes it
   * from R2 when it ends.
   */
  trained?: string;
}
