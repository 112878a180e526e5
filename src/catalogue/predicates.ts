// The commands whose result is a yes/no answer: over HTTP a rescode whose 1 means "no" (the
// command's function answers true or false, and each release's ejabberdctl prints that 1 as
// "Error: false"), not that something failed. A "no" is exit status 1 and nothing more (-v says
// it); real errors (a bad hash method, an unserved host refused, no server) still print.
// Chosen from every definition of every release: the rescode commands whose result answers a
// question. module_check is not one: its 1 is ejabberdctl's "Error: error", a module that fails
// its checks, which the admin has to look into. test/predicates.test.mjs checks the list
// against the catalogue and each release's ejabberdctl.

/** Each predicate with what its "no" means, for -v and batch. */
export const PREDICATES: Readonly<Record<string, string>> = {
  check_account: 'the account does not exist',
  check_password: 'the password does not match',
  check_password_hash: 'the hash does not match',
};

/** What a predicate's "no" means, when the command is one. */
export function predicateNo(name: string): string | undefined {
  return Object.hasOwn(PREDICATES, name) ? PREDICATES[name] : undefined;
}
