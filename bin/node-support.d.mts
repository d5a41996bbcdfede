export declare const SUPPORTED: string;
export declare const RECOMMENDED: number;
export declare function nodeSupport(version: string): { ok: true; warning?: string } | { ok: false; message: string };
