// Benchmark baseline: a bare node:http server that reads the whole body and answers 200. Prints "PORT n".
import { ack, listenPlain } from './plain.mjs';

listenPlain((_body, res) => ack(res));
