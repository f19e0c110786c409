import { describe, expect, it } from 'vitest';
import { ServiceException } from '../../../src/errors/service-exception.ts';
import {
  compareVersions,
  isVersion,
  negotiateCapabilitiesVersion,
  requireSupportedVersion,
} from '../../../src/services/version-negotiation.ts';

const WMS = ['1.1.1', '1.3.0'];
const WFS = ['1.1.0', '2.0.0'];

function thrown(run: () => unknown): ServiceException {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ServiceException);
    return error as ServiceException;
  }
  throw new Error('expected a ServiceException');
}

describe('isVersion and compareVersions', () => {
  it('accepts dotted numbers only', () => {
    expect(['1', '1.3', '1.3.0', '2.0.0.1'].every(isVersion)).toBe(true);
    expect(['', '1.3.0.0.0', 'v1.3.0', '1..3', '1.3.0 ', '1,3'].some(isVersion)).toBe(false);
  });

  it('compares numerically, part by part, missing parts as zero', () => {
    expect(compareVersions('1.10.0', '1.9.0')).toBeGreaterThan(0);
    expect(compareVersions('1.1.1', '1.3.0')).toBeLessThan(0);
    expect(compareVersions('2.0', '2.0.0')).toBe(0);
    expect([...['2.0.0', '1.10.0', '1.1.0', '1.9.9']].sort(compareVersions)).toEqual([
      '1.1.0',
      '1.9.9',
      '1.10.0',
      '2.0.0',
    ]);
  });
});

describe('negotiateCapabilitiesVersion', () => {
  it('answers the highest version when the client names none', () => {
    expect(negotiateCapabilitiesVersion(WMS, {})).toBe('1.3.0');
    expect(negotiateCapabilitiesVersion(WMS, { version: '' })).toBe('1.3.0');
    expect(negotiateCapabilitiesVersion(WMS, { version: '  ', acceptVersions: ' ' })).toBe('1.3.0');
  });

  it('follows the WMS rules for a single VERSION', () => {
    expect(negotiateCapabilitiesVersion(WMS, { version: '1.1.1' })).toBe('1.1.1');
    expect(negotiateCapabilitiesVersion(WMS, { version: '1.3.0' })).toBe('1.3.0');
    // Unsupported: the highest supported version below it...
    expect(negotiateCapabilitiesVersion(WMS, { version: '1.2.0' })).toBe('1.1.1');
    expect(negotiateCapabilitiesVersion(WMS, { version: '9.9.9' })).toBe('1.3.0');
    // ...or the lowest when it is below them all.
    expect(negotiateCapabilitiesVersion(WMS, { version: '1.0.0' })).toBe('1.1.1');
    expect(negotiateCapabilitiesVersion(WMS, { version: ' 1.1.1 ' })).toBe('1.1.1');
  });

  it('rejects a VERSION that is not a version number', () => {
    const error = thrown(() => negotiateCapabilitiesVersion(WMS, { version: 'latest' }));
    expect(error).toMatchObject({ code: 'InvalidParameterValue', locator: 'VERSION', status: 400 });
  });

  it('takes the first AcceptVersions entry the server supports, in client order', () => {
    expect(negotiateCapabilitiesVersion(WFS, { acceptVersions: '1.1.0,2.0.0' })).toBe('1.1.0');
    expect(negotiateCapabilitiesVersion(WFS, { acceptVersions: '2.0.0,1.1.0' })).toBe('2.0.0');
    expect(negotiateCapabilitiesVersion(WFS, { acceptVersions: '3.0.0, 1.1.0' })).toBe('1.1.0');
    expect(negotiateCapabilitiesVersion(WFS, { acceptVersions: '2.0' })).toBe('2.0.0');
  });

  it('lets AcceptVersions win over VERSION', () => {
    expect(negotiateCapabilitiesVersion(WFS, { acceptVersions: '1.1.0', version: '2.0.0' })).toBe(
      '1.1.0',
    );
  });

  it('fails with VersionNegotiationFailed when no AcceptVersions entry is supported', () => {
    const error = thrown(() =>
      negotiateCapabilitiesVersion(WFS, { acceptVersions: '3.0.0,1.0.0' }),
    );
    expect(error).toMatchObject({
      code: 'VersionNegotiationFailed',
      locator: 'AcceptVersions',
      status: 400,
    });
    expect(error.message).toContain('1.1.0, 2.0.0');
  });

  it('rejects an AcceptVersions entry that is not a version number', () => {
    const error = thrown(() =>
      negotiateCapabilitiesVersion(WFS, { acceptVersions: '2.0.0;1.1.0' }),
    );
    expect(error).toMatchObject({ code: 'InvalidParameterValue', locator: 'AcceptVersions' });
  });
});

describe('requireSupportedVersion', () => {
  it('returns the supported spelling of the requested version', () => {
    expect(requireSupportedVersion(WMS, '1.3.0')).toBe('1.3.0');
    expect(requireSupportedVersion(WMS, '1.3')).toBe('1.3.0');
  });

  it('answers a missing VERSION with MissingParameterValue', () => {
    for (const version of [undefined, '', '  ']) {
      expect(thrown(() => requireSupportedVersion(WMS, version))).toMatchObject({
        code: 'MissingParameterValue',
        locator: 'VERSION',
        status: 400,
      });
    }
  });

  it('answers an unsupported or malformed VERSION with InvalidParameterValue', () => {
    for (const version of ['1.2.0', 'abc']) {
      const error = thrown(() => requireSupportedVersion(WMS, version));
      expect(error).toMatchObject({ code: 'InvalidParameterValue', locator: 'VERSION' });
      expect(error.message).toContain('1.1.1, 1.3.0');
    }
  });
});
