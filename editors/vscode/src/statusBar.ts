// The status bar item: kernel release and build state, rendered from the
// StatusModel; a click shows the rustko output.
import * as vscode from 'vscode';
import { StatusModel } from './lib/status';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('rustko.status', vscode.StatusBarAlignment.Left, 10);

  constructor() {
    this.item.name = 'rustko';
    this.item.command = 'rustko.showOutput';
  }

  render(model: StatusModel): void {
    const v = model.view();
    this.item.text = v.text;
    this.item.tooltip = v.tooltip;
    this.item.backgroundColor =
      v.level === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : v.level === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
