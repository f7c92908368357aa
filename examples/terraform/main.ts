/**
 * The Terraform reference app (`cdktf synth` runs it, see cdktf.json): one stack
 * per topology and cloud.
 */
import { App } from 'cdktf';
import { addAzureStacks } from './azure';
import { addGcpStacks } from './gcp';

const app = new App();
addAzureStacks(app);
addGcpStacks(app);
app.synth();
