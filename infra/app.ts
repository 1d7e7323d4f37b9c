import { pathToFileURL } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DeployConfigError, readDeployConfig } from './config.ts';
import { OnrampStack } from './onramp-stack.ts';

/**
 * The CDK app: configuration from context, the stack, and cdk-nag's AWS Solutions checks, whose
 * findings fail synthesis unless acknowledged with a reason. Tests build it the same way.
 */
export function createApp(props?: AppProps): App {
  const app = new App(props);
  const config = readDeployConfig((key) => app.node.tryGetContext(key));
  // Environment-agnostic: synthesizes without credentials; the account and region come from the deploy.
  new OnrampStack(app, 'Onramp', {
    config,
    description: 'onramp: phased onboarding of an outsourcing partner',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
}

// `cdk synth` runs this file; the App synthesizes itself when the process ends. A configuration
// error is the user's to fix, so it gets its message without a stack trace.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    createApp();
  } catch (error) {
    if (!(error instanceof DeployConfigError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
