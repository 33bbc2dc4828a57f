import type { IncomingMessage, ServerResponse } from 'node:http';
import { failure, jsonReply, rawReply, success, type Reply } from './envelope';
import type { Fault } from './types';
import { streamHugeReply, writeReply } from './write-reply';

/** The faults that replace the answer outright (`latency` and `drip` change how the normal answer is given). */
export type AnsweringFault = Exclude<Fault, { kind: 'latency' } | { kind: 'drip' }>;

function htmlPage(status: number): string {
  return `<!DOCTYPE html>\n<html><head><title>${status} Error</title></head><body><center><h1>${status} Error</h1></center><hr><center>nginx</center></body></html>\n`;
}

/** The reply of a fault that answers with a fixed body, or `undefined` for the ones that act on the socket. */
function faultReply(fault: AnsweringFault): Reply | undefined {
  switch (fault.kind) {
    case 'http-status':
      return fault.html
        ? rawReply(htmlPage(fault.status), fault.status, 'text/html; charset=utf-8')
        : failure(fault.status, `fake HTTP ${fault.status}`, undefined, fault.status);
    case 'body-status':
      return failure(fault.statusCode, `fake failure ${fault.statusCode}`, fault.apiCode);
    case 'throttle': {
      const retryAfter: Record<string, string> = {};
      if (!fault.inBody || fault.retryAfterSec !== undefined) retryAfter['retry-after'] = String(fault.retryAfterSec ?? 1);
      return fault.inBody
        ? failure(429, 'too many requests', undefined, 200, retryAfter)
        : failure(429, 'too many requests', undefined, 429, retryAfter);
    }
    case 'malformed':
      return rawReply('<html>this is not JSON</html>');
    case 'truncated':
      return rawReply('{"statusCode":200,"message":"success","data":{"act');
    case 'empty':
      return rawReply('');
    case 'missing-active':
      return success({});
    case 'non-boolean-active':
      return jsonReply({ statusCode: 200, message: 'success', data: { active: 'true' } });
    default:
      return undefined;
  }
}

/** Answers (or deliberately fails to answer) a request according to the fault. */
export function answerWithFault(fault: AnsweringFault, req: IncomingMessage, res: ServerResponse): void {
  switch (fault.kind) {
    case 'hang':
      // Never answer. The server's close() destroys the socket.
      return;
    case 'reset': {
      const socket = req.socket;
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
      return;
    }
    case 'huge':
      void streamHugeReply(res, fault.bytes, fault.chunked ?? false).catch(() => res.destroy());
      return;
    default: {
      const reply = faultReply(fault);
      if (reply) writeReply(res, reply);
    }
  }
}
