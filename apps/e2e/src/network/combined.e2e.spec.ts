import { describeNetwork } from './network.e2e';

describeNetwork('combined');
