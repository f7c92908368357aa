/** `cdk synth` entry point (cdk.json): the reference stacks of every AWS topology. */
import { App } from 'aws-cdk-lib';
import { buildReferenceApp } from './reference';

const app = new App();
buildReferenceApp(app);
app.synth();
