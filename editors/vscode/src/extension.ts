// The rustko extension: starts rustko-lsp beside rust-analyzer for the
// rust.ko-style kernel modules of the workspace. The logic that needs no
// VS Code API lives in src/lib/, where it is unit-tested.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { Controller } from './controller';
import { StatusBar } from './statusBar';

let controller: Controller | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const output = vscode.window.createOutputChannel('rustko', { log: true });
  const bar = new StatusBar();
  controller = new Controller(output, bar);
  context.subscriptions.push(output, bar, ...registerCommands(controller));
  await controller.start();
}

export async function deactivate(): Promise<void> {
  await controller?.dispose();
  controller = undefined;
}
