// express@4 is installed under the alias `express4`; @types/express (v5) describes the parts these tests use.
declare module 'express4' {
  import express from 'express';
  export default express;
}
