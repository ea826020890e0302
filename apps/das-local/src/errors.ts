// The error vocabulary of DAS (business errors, HTTP 400/500) and of the API Gateway in front of it.

/** A DAS business error: body `{error_code, error_msg}`. */
export class DasError extends Error {
  override readonly name = 'DasError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A gateway (APIG) error: body `{error_code, error_msg, request_id}`. */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// DAS-API.md §1.10. Messages are the documented English texts.
export const DAS = {
  frequentRequests: () => new DasError(400, 'DAS.200002', 'Frequent requests. Please try again later.'),
  invalidParameter: (detail?: string) => new DasError(400, 'DAS.200100', detail ? `The parameter is invalid. ${detail}` : 'The parameter is invalid.'),
  invalidOffset: () => new DasError(400, 'DAS.200103', 'The offset parameter is invalid.'),
  invalidLimit: () => new DasError(400, 'DAS.200104', 'The limit parameter is invalid.'),
  invalidDatastoreType: () => new DasError(400, 'DAS.200107', 'The datastore_type is invalid.'),
  invalidDbUserId: () => new DasError(400, 'DAS.200112', 'The db_user_id value is invalid!'),
  invalidProjectId: () => new DasError(400, 'DAS.200113', 'The project_id parameter is invalid.'),
  invalidInstanceId: () => new DasError(400, 'DAS.200114', 'The instance_id parameter is invalid.'),
  authenticationFailed: () =>
    new DasError(400, 'DAS.200051', 'Authentication failed. Check the database user name and password.'),
  dbUserNotFound: () => new DasError(400, 'DAS.220003', 'The database user does not exist.'),
  /** Emulator choice: DAS documents no code for server faults. */
  internal: (detail = 'Internal server error.') => new DasError(500, 'DAS.200001', detail),
} as const;

const IAM = 'Incorrect IAM authentication information: ';

export const APIG = {
  notFound: () => new GatewayError(404, 'APIG.0101', 'The API does not exist or has not been published in the environment'),
  tooLarge: () => new GatewayError(413, 'APIG.0201', 'Request entity too large'),
  badRequest: (detail: string) => new GatewayError(400, 'APIG.0201', `Bad request: ${detail}`),
  auth: (detail: string) => new GatewayError(401, 'APIGW.0301', `${IAM}${detail}`),
} as const;
