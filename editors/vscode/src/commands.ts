// The palette commands. Build and run commands go to the server (which runs
// the work on its own worker and reports through progress, log messages and
// diagnostics); they are held back in Restricted Mode.
import * as vscode from 'vscode';
import { BindingResult, bindingDocument, identifierAt } from './lib/binding';
import { rootAbove } from './lib/roots';
import { Controller, errText } from './controller';

const BINDING_SCHEME = 'rustko-binding';

export function registerCommands(ctl: Controller): vscode.Disposable[] {
  const docs = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => docs.get(uri.toString()) ?? '',
  };

  /** The active file's URI when it lies in a module: the command then targets that module only. */
  const activeModuleArg = (): string[] => {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.uri.scheme === 'file' && rootAbove(doc.uri.fsPath) !== undefined) {
      return [doc.uri.toString()];
    }
    return [];
  };

  const serverCommand = (command: string, done: string, showOutput = false) => async () => {
    if (!ctl.mayBuild()) {
      return;
    }
    if (showOutput) {
      // The run's kernel log lines arrive as window/logMessage, which the
      // client writes to this channel.
      ctl.output.show(true);
    }
    try {
      const res = await ctl.execute<{ modules?: number }>(command, activeModuleArg());
      if (res) {
        vscode.window.setStatusBarMessage(`rustko: ${done} (${res.modules ?? 0} module${res.modules === 1 ? '' : 's'})`, 4000);
      }
    } catch (err) {
      void vscode.window.showErrorMessage(`rustko: ${errText(err)}`);
    }
  };

  const showBinding = async (name?: string) => {
    const ed = vscode.window.activeTextEditor;
    if (typeof name !== 'string' || name === '') {
      name = ed ? identifierAt(ed.document.lineAt(ed.selection.active.line).text, ed.selection.active.character) : undefined;
    }
    if (!name) {
      name = await vscode.window.showInputBox({ prompt: 'Kernel C name to show the generated binding of', placeHolder: 'file_operations' });
      if (!name) {
        return;
      }
    }
    const args = [name];
    if (ed?.document.uri.scheme === 'file') {
      args.push(ed.document.uri.toString());
    }
    let res: BindingResult | undefined;
    try {
      res = await ctl.execute<BindingResult>('rustko.showBinding', args);
    } catch (err) {
      void vscode.window.showWarningMessage(`rustko: ${errText(err)}`);
      return;
    }
    if (!res) {
      return;
    }
    const uri = vscode.Uri.parse(`${BINDING_SCHEME}:/${encodeURIComponent(res.name)}.rs`);
    docs.set(uri.toString(), bindingDocument(res));
    changed.fire(uri);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'rust');
    await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: true });
  };

  return [
    vscode.workspace.registerTextDocumentContentProvider(BINDING_SCHEME, provider),
    changed,
    vscode.commands.registerCommand('rustko.restartServer', () => ctl.restart('requested')),
    vscode.commands.registerCommand('rustko.rebuildModule', serverCommand('rustko.rebuild', 'build started')),
    vscode.commands.registerCommand('rustko.regenerateModuleBindings', serverCommand('rustko.regenerateBindings', 'regenerating bindings')),
    vscode.commands.registerCommand('rustko.runModule', serverCommand('rustko.run', 'VM run started', true)),
    vscode.commands.registerCommand('rustko.showGeneratedBinding', showBinding),
    vscode.commands.registerCommand('rustko.showOutput', () => ctl.output.show(true)),
  ];
}
