/** The AWS building blocks (aws-cdk-lib). */
export * from './validation';
