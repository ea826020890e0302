// DAS endpoints per region, as in the official SDKs 3.1.211 (DAS-API.md §1.9).

/** Regions listed by the SDKs; each is served at https://das.<region>.myhuaweicloud.com … */
export const DAS_REGIONS = [
  'cn-south-1',
  'cn-south-2',
  'cn-north-1',
  'cn-north-4',
  'cn-east-2',
  'cn-east-3',
  'cn-east-5',
  'cn-southwest-2',
  'cn-north-9',
  'cn-south-4',
  'tr-west-1',
  'ap-southeast-1',
  'ap-southeast-3',
  'ap-southeast-4',
  'me-east-1',
  'sa-brazil-1',
  'af-south-1',
  'af-north-1',
  'na-mexico-1',
] as const;

export type DasRegion = (typeof DAS_REGIONS)[number];

/** … except these, whose DAS lives under another region's host. */
const HOST_REGION: Partial<Record<DasRegion, string>> = { 'na-mexico-1': 'la-south-2' };

export function isDasRegion(region: string): region is DasRegion {
  return (DAS_REGIONS as readonly string[]).includes(region);
}

/**
 * The DAS endpoint of a region, or undefined for a region the SDK table does not list (then the
 * endpoint has to be given explicitly; guessing a host would only fail later and less clearly).
 */
export function dasEndpointForRegion(region: string): string | undefined {
  if (!isDasRegion(region)) return undefined;
  return `https://das.${HOST_REGION[region] ?? region}.myhuaweicloud.com`;
}
