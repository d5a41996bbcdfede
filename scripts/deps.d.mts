// Types of scripts/deps.mjs for the TypeScript tests.
export declare const TARGETS: string[];
export declare const CONFIG: string;
export declare const KNOWN: string;
export declare const DOC: string;
export declare const START: string;
export declare const END: string;
export interface CruisedModule {
  source: string;
  dependencies?: { resolved: string; rules?: { name: string }[] }[];
}
export interface CruiseResult {
  modules: CruisedModule[];
  summary: { error: number; warn: number; ignore: number; totalCruised: number; totalDependenciesCruised: number; violations: unknown[] };
}
export interface ModuleEdge {
  from: string;
  to: string;
  imports: number;
  reachThrough: number;
  cyclic: boolean;
}
export declare function cruise(): CruiseResult;
export declare function nodeOf(path: string): string | null;
export declare function moduleGraph(modules: CruisedModule[]): { nodes: string[]; edges: ModuleEdge[]; cycles: string[][] };
export declare function renderGraph(g: ReturnType<typeof moduleGraph>): string;
export declare function spliceGraph(doc: string, block: string): string;
export declare function check(result?: CruiseResult): boolean;
export declare function currentDoc(result?: CruiseResult): { doc: string; next: string };
