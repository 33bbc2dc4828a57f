import { randomUUID } from 'node:crypto';

/** An answer of the fake, before it is written. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** A reply with a JSON body. */
export function jsonReply(value: unknown, status = 200, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: JSON.stringify(value) };
}

/** A raw reply, for bodies that are deliberately not valid JSON. */
export function rawReply(body: string, status = 200, contentType = JSON_TYPE, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': contentType, ...headers }, body };
}

/** The success envelope: HTTP 200, `{"statusCode":200,"message":"success","data":...}`. */
export function success(data: unknown): Reply {
  return jsonReply({ statusCode: 200, message: 'success', data });
}

/** The failure envelope, HTTP 200 unless `httpStatus` says otherwise. */
export function failure(
  statusCode: number,
  message: string,
  apiCode?: number,
  httpStatus = 200,
  headers: Record<string, string> = {},
): Reply {
  const body: Record<string, unknown> = { statusCode };
  if (apiCode !== undefined) body.apiCode = apiCode;
  body.message = message;
  body.requestId = randomUUID();
  return jsonReply(body, httpStatus, headers);
}
