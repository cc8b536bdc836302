// Type tests: the real frameworks' objects fit the structural types the adapters declare. This file
// fails `npx tsc -p tsconfig.json` if a framework's types drift away; at run time it only checks exports.
import * as assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { it } from 'node:test';
import type { Request as ExpressRequest, Response as ExpressResponse } from 'express';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Context as HonoContext } from 'hono';
import type { Context as KoaContext } from 'koa';
import type { NextApiRequest, NextApiResponse } from 'next';
import type { NextRequest } from 'next/server.js';
import type { FastifyInstanceLike, FastifyReplyLike, FastifyRequestLike } from '../../src/adapters/fastify/index.js';
import type { HonoContextLike } from '../../src/adapters/hono/index.js';
import type { KoaContextLike } from '../../src/adapters/koa/index.js';
import * as next from '../../src/adapters/next/index.js';
import type { NodeRequestLike, NodeResponseLike } from '../../src/adapters/node/index.js';

type Fits<A, B> = [A] extends [B] ? true : false;
const checks: true[] = [
  true satisfies Fits<IncomingMessage, NodeRequestLike>,
  true satisfies Fits<ServerResponse, NodeResponseLike>,
  true satisfies Fits<ExpressRequest, NodeRequestLike>,
  true satisfies Fits<ExpressResponse, NodeResponseLike>,
  true satisfies Fits<NextApiRequest, NodeRequestLike>,
  true satisfies Fits<NextApiResponse, NodeResponseLike>,
  true satisfies Fits<NextRequest, Request>,
  true satisfies Fits<FastifyInstance, FastifyInstanceLike>,
  true satisfies Fits<FastifyRequest, FastifyRequestLike>,
  true satisfies Fits<FastifyReply, FastifyReplyLike>,
  true satisfies Fits<HonoContext, HonoContextLike>,
  true satisfies Fits<KoaContext, KoaContextLike>,
];

it('declares adapter types that the real framework objects fit (checked by tsc)', () => {
  assert.equal(checks.length, 12);
  assert.equal(typeof next.createNextRouteHandlers, 'function');
  assert.equal(typeof next.createNextApiHandler, 'function');
});
