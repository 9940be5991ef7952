import { cpus } from 'node:os';

/** The machine a run measured: figures from two machines are not comparable. */
export interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly platform: string;
}

export function describeMachine(): Machine {
  const list = cpus();

  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** One line for a Markdown report. `cores` counts logical CPUs, as `os.cpus()` does. */
export function machineLine(machine: Machine): string {
  const { cpu, cores, node, platform } = machine;
  return `${cpu}, ${cores} logical cores, Node ${node}, ${platform}`;
}
