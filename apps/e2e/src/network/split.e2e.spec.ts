import { describeNetwork } from './network.e2e';

describeNetwork('split');
