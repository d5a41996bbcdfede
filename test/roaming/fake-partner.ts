export { FakePartner, type FakePartnerOptions, type Received } from '../../src/modules/roaming/fake-partner.ts';
