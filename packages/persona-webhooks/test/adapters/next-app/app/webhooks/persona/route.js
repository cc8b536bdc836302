import { lookup, missing } from '../../../registry.js';

export const dynamic = 'force-dynamic';
const handle = (request) => (lookup(request.headers.get('host'), 'route') ?? missing)(request);

export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
