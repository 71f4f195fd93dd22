// bindings/node/README.md: a block that awaits, inside an async function of a CommonJS
// program (the package is CommonJS, where a top-level await is not allowed).
@IMPORTS@

declare const staticSecretKey: string // `sv2 key gen-server` files, read by the program
declare const certificate: string

export async function snippet(): Promise<void> {
  @SNIPPET@
}
