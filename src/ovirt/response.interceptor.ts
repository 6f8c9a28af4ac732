import { CallHandler, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { mergeMap, Observable } from 'rxjs';
import { FollowRegistry } from './follow';
import { responseFormat } from './negotiation';
import { allContentRequested, followParam } from './query';
import {
  actionSchema,
  CONTENT_TYPES,
  Format,
  render,
  renderAction,
  renderCollection,
  ResourceSchema,
  RootSchema,
} from './representation';
import { ActionReply, OVIRT_ROUTE, OvirtRouteSpec } from './routes';

/** The envelope of an add or remove that is still running as a job. */
const JOB_ENVELOPE = actionSchema();

/** What the API root handler returns: its schema depends on the collections that exist. */
export interface RootRepresentation {
  readonly schema: RootSchema;
  readonly view: object;
}

/** What the request asked for besides the route itself; services may read it with `requestOptions(req)`. */
export interface RequestOptions {
  readonly allContent: boolean;
  readonly follow: readonly string[];
}

const OPTIONS = Symbol('ovirt request options');

export function requestOptions(req: Request): RequestOptions {
  return (req as unknown as Record<symbol, RequestOptions | undefined>)[OPTIONS] ?? { allContent: false, follow: [] };
}

/**
 * Renders what an oVirt route handler returns, by the route's decorator: XML or JSON by Accept, 201 +
 * Location for add, an empty 200 for remove, `follow` applied. Handlers never see the format.
 */
@Injectable()
export class OvirtResponseInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly follow: FollowRegistry,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const spec = this.reflector.get<OvirtRouteSpec | undefined>(OVIRT_ROUTE, context.getHandler());
    if (spec === undefined || context.getType() !== 'http') {
      return next.handle();
    }
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const format = responseFormat(req);
    // Query parameters are checked before the handler runs, so a bad one never has side effects.
    const reads = spec.operation === 'list' || spec.operation === 'get';
    const options: RequestOptions = reads
      ? { allContent: allContentRequested(req), follow: followParam(req.query) }
      : { allContent: false, follow: [] };
    if (reads) this.follow.check(spec.schema, options.follow);
    (req as unknown as Record<symbol, RequestOptions>)[OPTIONS] = options;
    return next.handle().pipe(mergeMap((result: unknown) => this.present(spec, result, format, options, res)));
  }

  /** The rendered body, which Nest sends; status and headers are set here. */
  private async present(
    spec: OvirtRouteSpec,
    result: unknown,
    format: Format,
    options: RequestOptions,
    res: Response,
  ): Promise<string | undefined> {
    // An add or remove that runs as a job and outlasted the wait answers like an action: 202 and the job.
    if ((spec.operation === 'add' || spec.operation === 'remove') && isStillRunning(result)) {
      res.status(202).type(CONTENT_TYPES[format]);
      return renderAction(JOB_ENVELOPE, { status: result.status, job: result.job } as never, format);
    }
    let body: string;
    switch (spec.operation) {
      case 'api_root': {
        const root = result as RootRepresentation;
        body = render(root.schema, root.view as never, format);
        break;
      }
      case 'list': {
        const views = await this.follow.expand(spec.schema, result as object[], options.follow);
        body = renderCollection(spec.schema, views as never[], format);
        break;
      }
      case 'get':
      case 'update': {
        const [view] = await this.follow.expand(spec.schema, [result as object], options.follow);
        body = renderOne(spec.schema, view, format);
        break;
      }
      case 'add': {
        body = renderOne(spec.schema, result as object, format);
        const href = (result as { href?: unknown }).href;
        if (typeof href === 'string') res.setHeader('Location', href);
        res.status(201);
        break;
      }
      case 'remove':
        res.status(200);
        return undefined;
      case 'action': {
        const reply = result as ActionReply;
        body = renderAction(spec.schema, actionView(reply) as never, format);
        res.status(actionHttpStatus(reply));
        break;
      }
    }
    res.type(CONTENT_TYPES[format]);
    return body;
  }
}

/** The `<action>` envelope's view: the echoed parameters, then status, job and fault. */
function actionView(reply: ActionReply): object {
  return {
    ...(reply.params ?? {}),
    status: reply.status,
    ...(reply.job ? { job: reply.job } : {}),
    ...(reply.fault ? { fault: { reason: reply.fault.reason, detail: reply.fault.detail } } : {}),
  };
}

function renderOne(schema: ResourceSchema, view: object, format: Format): string {
  return render(schema, view as never, format);
}

/** 200 done, 202 still queued or running, the fault's status when the job failed. */
export function actionHttpStatus(reply: ActionReply): number {
  switch (reply.status) {
    case 'complete':
      return 200;
    case 'pending':
    case 'in_progress':
      return 202;
    case 'failed':
      return reply.fault?.httpStatus ?? 500;
  }
}

/** An add or remove handler's answer for a job that has not ended (views always have an href; replies never). */
function isStillRunning(result: unknown): result is ActionReply {
  if (typeof result !== 'object' || result === null || 'href' in result) return false;
  const status = (result as { status?: unknown }).status;
  return status === 'pending' || status === 'in_progress';
}
