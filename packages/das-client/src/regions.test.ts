import { describe, expect, it } from 'vitest';
import { DAS_REGIONS, dasEndpointForRegion, isDasRegion } from './regions.ts';

describe('DAS region table (DAS-API.md §1.9)', () => {
  it('lists the 19 SDK regions and maps each to its das.<region> host', () => {
    expect(DAS_REGIONS).toHaveLength(19);
    for (const region of DAS_REGIONS.filter((r) => r !== 'na-mexico-1')) {
      expect(dasEndpointForRegion(region)).toBe(`https://das.${region}.myhuaweicloud.com`);
    }
  });

  it('serves na-mexico-1 from la-south-2', () => {
    expect(dasEndpointForRegion('na-mexico-1')).toBe('https://das.la-south-2.myhuaweicloud.com');
  });

  it('knows nothing of regions outside the table (the endpoint must then be explicit)', () => {
    for (const region of ['ap-southeast-2', 'la-south-2', 'AP-SOUTHEAST-1', '', 'cn-north-4 ']) {
      expect(isDasRegion(region)).toBe(false);
      expect(dasEndpointForRegion(region)).toBeUndefined();
    }
  });
});
