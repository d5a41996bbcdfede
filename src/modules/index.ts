import type { Module } from '../platform/context.ts';
import { registryModule } from './registry/index.ts';

/** Every capability, in start order. A new module adds one line here. */
export const modules: Module[] = [registryModule];
