/** One error type for everything DAS (or its gateway, or the network) said no to. Never carries credentials. */
export class DasApiError extends Error {
  override readonly name = 'DasApiError';
  /** HTTP status; 0 when no response arrived (timeout, connection refused/reset). */
  readonly httpStatus: number;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly operation: string;
  /** 'gateway' = APIG/APIGW (auth, routing), 'das' = DAS business error, 'network' = no response, 'timeout'. */
  readonly kind: 'gateway' | 'das' | 'network' | 'timeout' | 'invalid-response';
  readonly retryable: boolean;

  constructor(init: {
    operation: string;
    httpStatus: number;
    errorCode?: string | undefined;
    errorMsg?: string | undefined;
    requestId?: string | undefined;
    kind: DasApiError['kind'];
    retryable: boolean;
    message?: string;
  }) {
    super(init.message ?? `${init.operation} failed: ${init.httpStatus || init.kind}${init.errorCode ? ` ${init.errorCode}` : ''}${init.errorMsg ? ` ${init.errorMsg}` : ''}`);
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.errorCode = init.errorCode;
    this.errorMsg = init.errorMsg;
    this.requestId = init.requestId;
    this.kind = init.kind;
    this.retryable = init.retryable;
  }
}
