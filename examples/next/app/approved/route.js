import { approved } from '../../lib/persona.js';

export const dynamic = 'force-dynamic';
export function GET() {
  return Response.json({ approved: approved.length });
}
