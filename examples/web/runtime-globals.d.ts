// The part of Bun's and Deno's globals the examples use, for type-checking them under Node's types (bun-types and
// Deno's own types are not installed here).
declare const Bun: {
  serve(options: { port?: number; fetch(request: Request): Response | Promise<Response> }): { port: number; stop(force?: boolean): Promise<void> };
};
declare const Deno: {
  env: { get(name: string): string | undefined };
  serve(
    options: { port?: number; onListen?: (address: { port: number }) => void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { addr: { port: number }; shutdown(): Promise<void> };
};
