using LogContention;

// Two roles in one binary: the comparison (default) starts N writer processes per writer kind
// and checks the file they share; "write" is one of those processes.
return args is ["write", var kind, var path, var lines, var startAt]
    ? LineWriters.Run(Enum.Parse<WriterKind>(kind), path, int.Parse(lines), long.Parse(startAt))
    : Comparison.Run(args);
