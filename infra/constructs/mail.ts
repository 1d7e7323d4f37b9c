import { EmailIdentity, Identity } from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';

/**
 * The SES identity every email is sent from. SES emails the address a verification link on
 * deploy; nothing is delivered until it is clicked (and, in the SES sandbox, recipients must be
 * verified too).
 */
export class Mail extends Construct {
  readonly identity: EmailIdentity;

  constructor(scope: Construct, id: string, props: { senderEmail: string }) {
    super(scope, id);
    this.identity = new EmailIdentity(this, 'Sender', { identity: Identity.email(props.senderEmail) });
  }
}
