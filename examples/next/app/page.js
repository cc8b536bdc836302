import { updateEmail } from './actions.js';

export default function Page() {
  return (
    <form action={updateEmail}>
      <input name="email" type="email" />
      <button type="submit">Save</button>
    </form>
  );
}
