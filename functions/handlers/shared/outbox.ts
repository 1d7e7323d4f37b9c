import { SESClient } from '@aws-sdk/client-ses';
import { clock } from '#adapters/clock';
import { loadMailConfig } from '#adapters/config';
import { EmailOutbox } from '#adapters/email-outbox';
import { SesMailer } from '#adapters/mailer';
import { store } from './store.ts';

export const mailConfig = loadMailConfig(process.env);

export const outbox = new EmailOutbox(store, new SesMailer(new SESClient({}), mailConfig.senderEmail), clock);
