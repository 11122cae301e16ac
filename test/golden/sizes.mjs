#!/usr/bin/env node
// Files over 150 lines and functions (declarations, methods, constructors, arrow or
// function expressions) over 60 lines in src/, for the redesign's before/after note.
//   node test/golden/sizes.mjs [src-dir]
import ts from 'typescript';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.argv[2] ?? 'src';
const files = (function walk(d) { return readdirSync(d).flatMap((e) => statSync(join(d, e)).isDirectory() ? walk(join(d, e)) : e.endsWith('.ts') ? [join(d, e)] : []); })(root);
const bigFiles = [], bigFns = [];
for (const f of files.sort()) {
  const text = readFileSync(f, 'utf8');
  const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  if (lines > 150) bigFiles.push([relative(root, f), lines]);
  const sf = ts.createSourceFile(f, text, ts.ScriptTarget.ES2022, true);
  const visit = (n, name) => {
    if (ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isGetAccessor(n)) {
      const a = sf.getLineAndCharacterOfPosition(n.getStart()).line, b = sf.getLineAndCharacterOfPosition(n.getEnd()).line;
      const nm = n.name?.getText?.() ?? (ts.isConstructorDeclaration(n) ? 'constructor' : name ?? '(anonymous)');
      if (b - a + 1 > 60) bigFns.push([`${relative(root, f)}:${a + 1} ${nm}`, b - a + 1]);
    }
    const childName = ts.isVariableDeclaration(n) || ts.isPropertyAssignment(n) || ts.isPropertyDeclaration(n) ? n.name.getText() : name;
    ts.forEachChild(n, (c) => visit(c, childName));
  };
  visit(sf, undefined);
}
console.log(`files over 150 lines: ${bigFiles.length}`);
for (const [f, n] of bigFiles.sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${f}`);
console.log(`functions over 60 lines: ${bigFns.length}`);
for (const [f, n] of bigFns.sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(5)}  ${f}`);
