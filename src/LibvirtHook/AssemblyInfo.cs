// libvirt hooks exist on Linux only; so do flock, hard links and the rest of Platform/.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
