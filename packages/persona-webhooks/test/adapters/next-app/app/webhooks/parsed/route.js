import { lookup, missing } from '../../../registry.js';

export const dynamic = 'force-dynamic';
// A misconfigured route: it reads the JSON before handing the Request over.
const handle = async (request) => {
  if (request.method === 'POST') await request.json();
  return (lookup(request.headers.get('host'), 'route') ?? missing)(request);
};

export { handle as DELETE, handle as GET, handle as PATCH, handle as POST, handle as PUT };
