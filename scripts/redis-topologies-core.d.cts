// Types of redis-topologies-core.cjs (the process logic shared by test/redis/topologies.ts and
// scripts/redis-topologies.mjs).

/** 'watched': tied to this process (killed when it exits, however). 'detached': outlives it (.ci/run). */
export type ProcessMode = 'watched' | 'detached';

export interface StartedProcess {
  readonly host: string;
  readonly port: number;
  readonly pid: number;
  /** Resolves when the process has ended. */
  readonly exited: Promise<void>;
  readonly logfile: string;
}

export interface StartedClusterNode extends StartedProcess {
  readonly busPort: number;
}

export interface StartedCluster {
  readonly dir: string;
  /** True when the directory is a temporary one of the harness's own (removed by `removeDir`). */
  readonly ownDir: boolean;
  readonly nodes: StartedClusterNode[];
}

export interface StartedSentinelSet {
  readonly dir: string;
  readonly ownDir: boolean;
  readonly name: string;
  readonly primary: StartedProcess;
  readonly replica: StartedProcess;
  readonly sentinels: StartedProcess[];
}

export interface ClusterNodeInfo {
  id: string;
  port: number;
  flags: string[];
  slots: string[];
}

export type RespReply = string | number | null | RespReply[];

export const HOST: '127.0.0.1';
export const SENTINEL_NAME: 'mymaster';

export function command(port: number, args: (string | number)[], options?: { timeoutMs?: number }): Promise<any>;
export function info(port: number, section: string): Promise<Record<string, string>>;
/** Polls `check` until true; an error counts as "not yet" unless it has `fatal: true`. */
export function waitFor(what: string, check: () => boolean | Promise<boolean>, options?: { timeoutMs?: number; stepMs?: number }): Promise<void>;
export function freePort(): Promise<number>;
export function makeTempDir(prefix: string): string;
export function removeDir(dir: string): void;
export function isAlive(pid: number): boolean;
export function stopPids(pids: number[]): Promise<void>;

export function startCluster(options?: { primaries?: number; nodeTimeoutMs?: number; mode?: ProcessMode; dir?: string }): Promise<StartedCluster>;
export function startClusterNode(options: { dir: string; mode: ProcessMode; nodeTimeoutMs: number; port?: number; busPort?: number }): Promise<StartedClusterNode>;
export function waitClusterOk(ports: number[], options?: { timeoutMs?: number }): Promise<void>;
export function waitClusterNodeFailed(observers: number[], port: number, options?: { timeoutMs?: number }): Promise<void>;
export function clusterSlotOwner(askPort: number, keyOrSlot: string | number): Promise<number>;
export function clusterNodeIds(askPort: number): Promise<Map<number, string>>;

export interface SlotMigration {
  readonly slot: number;
  /** The port of the node the slot is moving from. */
  readonly from: number;
  /** The port of the node the slot is moving to. */
  readonly to: number;
  /** MIGRATEs these keys of the slot (default: every key left in it) to the target. */
  moveKeys(keys?: string[]): Promise<void>;
  /** Moves the rest and gives the slot to the target on every node; resolves once all agree. */
  finish(): Promise<void>;
}
export function beginSlotMigration(ports: number[], slot: number, toPort: number): Promise<SlotMigration>;
export function parseClusterNodes(text: string): ClusterNodeInfo[];
export function slotMap(port: number): Promise<string>;

export function startSentinelSet(options?: { mode?: ProcessMode; dir?: string; downAfterMs?: number; failoverTimeoutMs?: number }): Promise<StartedSentinelSet>;
export function startDataNode(options: { dir: string; mode: ProcessMode; port?: number; replicaOf?: number }): Promise<StartedProcess & { ports: number[] }>;
export function sentinelMaster(sentinelPort: number): Promise<Record<string, string>>;
export function sentinelPrimaryPort(sentinelPort: number): Promise<number>;
export function waitReplicaInSync(primaryPort: number, replicaPort: number, options?: { timeoutMs?: number }): Promise<void>;
export function waitSentinelsAgree(sentinelPorts: number[], primaryPort: number, replicaPort?: number, options?: { timeoutMs?: number }): Promise<void>;
export function isWritablePrimary(port: number): Promise<boolean>;
export function rejoinAsReplica(port: number, primaryPort: number): Promise<void>;
