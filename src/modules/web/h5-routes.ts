import type { FastifyInstance } from 'fastify';
import type { Ctx } from '../../platform/context.ts';

export async function h5Routes(_app: FastifyInstance, _ctx: Ctx) {}
