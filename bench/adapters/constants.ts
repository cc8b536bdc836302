/** The webhook secret the adapter benchmark's servers and load generator share. */
export const SECRET = 'wbhsec_abcdefgh-1234-5678-9ijk-lmnopqrstuvw';
