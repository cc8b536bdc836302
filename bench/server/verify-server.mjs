// Benchmark limit: the bare server plus Persona signature verification (the library's verifySignature)
// — what any receiver must do at least. Prints "PORT n".
import { ack, listenVerified } from './plain.mjs';

listenVerified((_body, res) => ack(res));
