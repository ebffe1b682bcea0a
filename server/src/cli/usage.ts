/** A mistake in how the CLI was called: reported in words with exit code 2. */
export class UsageError extends Error {}
