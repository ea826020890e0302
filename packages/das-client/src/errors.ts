/** One error type for everything DAS (or its gateway, or the network) said no to. Never carries credentials. */
export class DasApiError extends Error {
  override readonly name = 'DasApiError';
  /** HTTP status; 0 when no response arrived (timeout, connection refused/reset). */
  readonly httpStatus: number;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly operation: string;
  /**
   * 'gateway' = API Gateway (APIG./APIGW. codes: auth, routing, throttling), 'das' = DAS business or
   * server error, 'network' = no response (refused, reset, DNS), 'timeout' = a deadline passed,
   * 'invalid-response' = 2xx whose body is not what DAS documents.
   */
  readonly kind: 'gateway' | 'das' | 'network' | 'timeout' | 'invalid-response';
  /**
   * True when calling the same operation again is both safe and likely to help: for reads every
   * transient failure (429, 502/503/504, DAS.200002, network, timeout); for writes (the kill
   * included) only when DAS certainly did not act — the connection never opened or the request was
   * refused as throttled. A kill that timed out or got a 5xx has an unknown outcome: re-list first.
   */
  readonly retryable: boolean;
  /** How many HTTP attempts were made before giving up (0 when none was). */
  readonly attempts: number;
  /** For kind 'timeout': whether the connect deadline or the total deadline passed. */
  readonly timeoutPhase: 'connect' | 'total' | undefined;
  /** For kind 'network': the system error code (ECONNREFUSED, ECONNRESET, ENOTFOUND …) when known. */
  readonly networkCode: string | undefined;

  constructor(init: {
    operation: string;
    httpStatus: number;
    errorCode?: string | undefined;
    errorMsg?: string | undefined;
    requestId?: string | undefined;
    kind: DasApiError['kind'];
    retryable: boolean;
    attempts?: number | undefined;
    timeoutPhase?: 'connect' | 'total' | undefined;
    networkCode?: string | undefined;
    message?: string;
  }) {
    super(
      init.message ??
        `${init.operation} failed: ${init.httpStatus || init.kind}${init.errorCode ? ` ${init.errorCode}` : ''}${init.errorMsg ? ` ${init.errorMsg}` : ''}`,
    );
    this.operation = init.operation;
    this.httpStatus = init.httpStatus;
    this.errorCode = init.errorCode;
    this.errorMsg = init.errorMsg;
    this.requestId = init.requestId;
    this.kind = init.kind;
    this.retryable = init.retryable;
    this.attempts = init.attempts ?? 0;
    this.timeoutPhase = init.timeoutPhase;
    this.networkCode = init.networkCode;
  }

  /** A copy with the attempt count filled in (errors are built per attempt, counted per call). */
  withAttempts(attempts: number): DasApiError {
    return new DasApiError({ ...this.toJSON(), attempts });
  }

  toJSON() {
    return {
      name: this.name,
      message: this.message,
      operation: this.operation,
      httpStatus: this.httpStatus,
      errorCode: this.errorCode,
      errorMsg: this.errorMsg,
      requestId: this.requestId,
      kind: this.kind,
      retryable: this.retryable,
      attempts: this.attempts,
      timeoutPhase: this.timeoutPhase,
      networkCode: this.networkCode,
    };
  }
}

/**
 * The call was refused before anything was sent: invalid parameters (a non-UUID db_user_id, a
 * process id outside [0, 2^31-1], a kill without any filter …) or an unusable credentials value.
 * Carries field paths and messages only, never the values (a password may be among them).
 */
export class DasRequestError extends Error {
  override readonly name = 'DasRequestError';
  readonly operation: string;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(operation: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`${operation}: invalid request: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ')}`);
    this.operation = operation;
    this.issues = issues;
  }

  toJSON() {
    return { name: this.name, message: this.message, operation: this.operation, issues: this.issues };
  }
}
