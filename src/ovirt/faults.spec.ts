import { NotFoundException, ServiceUnavailableException } from '@nestjs/common';
import { faultResponseFor, methodNotAllowedFault, OvirtFault } from './faults';
import { requestFormat } from './negotiation';
import { BodyError } from './representation';

describe('faultResponseFor', () => {
  it('shows our faults and body errors as they are', () => {
    expect(faultResponseFor(OvirtFault.notFound('cluster', 'x\ny'), 'c1')).toEqual({
      status: 404,
      fault: { reason: 'Not Found', detail: 'cluster with id "x\\u000ay" does not exist' },
      unexpected: false,
    });
    expect(faultResponseFor(new BodyError([{ path: 'name', message: 'required' }]), 'c1')).toEqual({
      status: 400,
      fault: { reason: 'Incomplete parameters', detail: 'name: required' },
      unexpected: false,
    });
  });

  it("keeps the status of Nest's exceptions but not their messages", () => {
    const r = faultResponseFor(new NotFoundException('Cannot GET /secret/path'), 'c1');
    expect(r).toEqual({
      status: 404,
      fault: { reason: 'Not Found', detail: 'there is nothing at this address' },
      unexpected: false,
    });
    const health = faultResponseFor(
      new ServiceUnavailableException({ error: { database: { message: 'ECONNREFUSED 10.0.0.1:5432' } } }),
      'c1',
    );
    expect(health.status).toBe(503);
    expect(JSON.stringify(health)).not.toContain('ECONNREFUSED');
  });

  it('says which methods a path allows in a 405', () => {
    expect(methodNotAllowedFault(['GET', 'HEAD', 'POST'])).toEqual({
      reason: 'Method Not Allowed',
      detail: 'this method is not allowed here (allowed: GET, HEAD, POST)',
    });
  });

  it('hides anything else behind a 500 that names only the correlation id', () => {
    const r = faultResponseFor(
      new TypeError("Cannot read properties of undefined (reading 'password_hash')"),
      'abc-123',
    );
    expect(r).toEqual({
      status: 500,
      fault: {
        reason: 'Internal Server Error',
        detail: 'the server could not complete the request; the error was logged (correlation id abc-123)',
      },
      unexpected: true,
    });
    expect(faultResponseFor('a string', undefined).fault.detail).toBe(
      'the server could not complete the request; the error was logged',
    );
  });
});

describe('requestFormat', () => {
  it('reads XML and JSON in UTF-8', () => {
    expect(requestFormat('application/xml')).toBe('xml');
    expect(requestFormat('text/xml; charset=UTF-8')).toBe('xml');
    expect(requestFormat('Application/JSON; charset="utf-8"')).toBe('json');
  });

  it('answers 415 for anything else', () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=latin1',
      'application/xml-dtd',
    ]) {
      expect(() => requestFormat(type)).toThrow(OvirtFault);
      try {
        requestFormat(type);
      } catch (e) {
        expect((e as OvirtFault).status).toBe(415);
      }
    }
  });
});
