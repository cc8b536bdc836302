'use server';

/** A Server Action: Next checks that the request's Origin matches the Host before running it. */
export async function updateEmail(formData) {
  return { updated: String(formData.get('email') ?? '') };
}
