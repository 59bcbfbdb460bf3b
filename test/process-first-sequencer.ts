import { BaseSequencer, type TestSpecification } from "vitest/node";

/**
 * Starts the process tests first. Vitest's own order puts the projects one after another by name, so
 * the process tests, which each start a whole network and include the longest file (the simulator's,
 * some six minutes), were handed out after every edge file and ran on alone at the end of the run.
 * Started first, they overlap the rest. Within each project the base order stands: the longest last
 * time first, or on a fresh clone the largest file first.
 */
export default class ProcessFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isProcess = (file: TestSpecification) => file.project.name === "process";
    return [...sorted.filter(isProcess), ...sorted.filter((file) => !isProcess(file))];
  }
}
