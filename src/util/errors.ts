// Errors in what a user handed us (a file, a setting), as opposed to bugs. The UI and the CLI show
// the message as is, so it names the file or setting and says in words what is wrong with it.

export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}
