import { SFNClient } from '@aws-sdk/client-sfn';
import { readString } from '#adapters/config';
import { WorkflowClient } from '#adapters/workflow-client';

export const workflow = new WorkflowClient(new SFNClient({}), readString(process.env, 'STATE_MACHINE_ARN'));
