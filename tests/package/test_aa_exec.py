"""Unit tests of aa_exec.py, the AppArmor exec-rule matcher the package specs use.
Run: python3 -m unittest discover -s tests/package -p 'test_*.py'"""
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import aa_exec  # noqa: E402

PROFILE = """
#include <tunables/global> was expanded into:
@{multiarch}=*-linux-gnu*
@{PROC}=/proc/
@{LIBVIRT}="libvirt"
@{BINDIRS}=/usr/bin/ /bin/
@{BINDIRS}+=/opt/tools/
@{NESTED}=@{BINDIRS}extra

profile libvirtd /usr/sbin/libvirtd flags=(attach_disconnected) {
  # comment with /usr/local/sbin/* PUx, inside
  capability kill,
  mount options=(rw,rslave)  -> /,
  umount /{var/,}run/libvirt/qemu/*.dev/,
  signal (send) set=("kill", "term") peer=unconfined,
  / r,
  /** rwmkl,
  /usr/sbin/* PUx,
  /{usr/,}lib/@{multiarch}/ld-linux*.so* mrix,
  audit deny /{usr/,}sbin/apparmor_parser rwxl,
  /etc/libvirt/hooks/** rmix,
  deny /etc/libvirt/hooks/secret x,
  owner "/srv/with space/*" ix,
  ix /opt/mode-first/*,
  /usr/{lib,lib64,lib/qemu,libexec}/qemu-bridge-helper Cx -> qemu_bridge_helper,
  @{NESTED}/tool PUx,

  profile qemu_bridge_helper {
    /usr/libexec/** rmix,
  }
  ^hat {
    /hat/** ix,
  }
}

profile other {
  /usr/libexec/** ix,
}
"""


class GlobSpecs(unittest.TestCase):
    def test_a_star_matches_any_characters_within_one_path_component(self):
        self.assertTrue(aa_exec.matches("/usr/sbin/*", "/usr/sbin/libvirt-hook"))
        self.assertTrue(aa_exec.matches("/usr/lib/lib*.so", "/usr/lib/libc.so"))
        self.assertTrue(aa_exec.matches("/usr/lib/lib*.so", "/usr/lib/lib.so"))

    def test_a_star_never_crosses_a_slash_and_after_a_slash_needs_one_character(self):
        self.assertFalse(aa_exec.matches("/usr/sbin/*", "/usr/sbin/x/libvirt-hook"))
        self.assertFalse(aa_exec.matches("/usr/sbin/*", "/usr/sbin/"))
        self.assertFalse(aa_exec.matches("/usr/sbin/*", "/usr/libexec/libvirt-hook/libvirt-hook"))

    def test_a_double_star_matches_across_slashes(self):
        self.assertTrue(aa_exec.matches("/etc/libvirt/hooks/**", "/etc/libvirt/hooks/qemu"))
        self.assertTrue(aa_exec.matches("/etc/libvirt/hooks/**", "/etc/libvirt/hooks/qemu.d/libvirt-hook"))
        self.assertTrue(aa_exec.matches("/a/**/z", "/a/b/c/z"))

    def test_a_double_star_after_a_slash_needs_one_character_and_stays_under_its_prefix(self):
        self.assertFalse(aa_exec.matches("/etc/libvirt/hooks/**", "/etc/libvirt/hooks/"))
        self.assertFalse(aa_exec.matches("/etc/libvirt/hooks/**", "/etc/libvirt/hooksx/qemu"))
        self.assertFalse(aa_exec.matches("/etc/libvirt/hooks/**", "/usr/libexec/libvirt-hook/libvirt-hook"))

    def test_a_question_mark_matches_exactly_one_character_but_a_slash(self):
        self.assertTrue(aa_exec.matches("/bin/?sh", "/bin/bsh"))
        self.assertFalse(aa_exec.matches("/bin/?sh", "/bin/sh"))
        self.assertFalse(aa_exec.matches("/bin/?sh", "/bin/bash"))
        self.assertFalse(aa_exec.matches("/a?b", "/a/b"))

    def test_alternation_with_nesting_and_an_empty_alternative(self):
        self.assertTrue(aa_exec.matches("/{usr/,}sbin/apparmor_parser", "/sbin/apparmor_parser"))
        self.assertTrue(aa_exec.matches("/{usr/,}sbin/apparmor_parser", "/usr/sbin/apparmor_parser"))
        self.assertTrue(aa_exec.matches("/usr/{lib,lib{32,64}}/x", "/usr/lib64/x"))
        self.assertFalse(aa_exec.matches("/{usr/,}sbin/apparmor_parser", "/usr/local/sbin/apparmor_parser"))
        self.assertFalse(aa_exec.matches("/usr/{lib,lib{32,64}}/x", "/usr/lib16/x"))

    def test_character_classes_ranges_and_negation(self):
        self.assertTrue(aa_exec.matches("/dev/sd[abc]", "/dev/sdb"))
        self.assertTrue(aa_exec.matches("/dev/tty[0-9]", "/dev/tty7"))
        self.assertTrue(aa_exec.matches("/dev/sd[^ab]", "/dev/sdc"))
        self.assertFalse(aa_exec.matches("/dev/sd[abc]", "/dev/sdd"))
        self.assertFalse(aa_exec.matches("/dev/tty[0-9]", "/dev/ttyS"))
        self.assertFalse(aa_exec.matches("/dev/sd[^ab]", "/dev/sda"))

    def test_variables_expand_to_each_of_their_values_recursively(self):
        variables = {"BIN": ["/usr/bin/", "/bin/"], "TOOLS": ["@{BIN}x", "/opt/"], "ONE": ["libvirt"]}
        self.assertTrue(aa_exec.matches("@{BIN}virsh", "/bin/virsh", variables))
        self.assertTrue(aa_exec.matches("@{BIN}virsh", "/usr/bin/virsh", variables))
        self.assertTrue(aa_exec.matches("@{TOOLS}y", "/usr/bin/xy", variables))
        self.assertTrue(aa_exec.matches("/@{ONE}-*", "/libvirt-abc", variables))
        self.assertFalse(aa_exec.matches("@{BIN}virsh", "/usr/local/bin/virsh", variables))
        self.assertFalse(aa_exec.matches("@{TOOLS}y", "/usr/bin/y", variables))

    def test_an_undefined_or_self_referring_variable_is_an_error_that_names_it(self):
        with self.assertRaisesRegex(aa_exec.ProfileError, r"@\{NOPE\}"):
            aa_exec.matches("@{NOPE}/x", "/x", {})
        with self.assertRaisesRegex(aa_exec.ProfileError, r"@\{LOOP\}"):
            aa_exec.matches("@{LOOP}", "/x", {"LOOP": ["@{LOOP}"]})

    def test_escapes_and_regex_characters_are_literal(self):
        self.assertTrue(aa_exec.matches(r"/a\*b", "/a*b"))
        self.assertFalse(aa_exec.matches(r"/a\*b", "/axb"))
        self.assertTrue(aa_exec.matches("/x.d/a+b", "/x.d/a+b"))
        self.assertFalse(aa_exec.matches("/x.d/a+b", "/xyd/aab"))


class ProfileSpecs(unittest.TestCase):
    def setUp(self):
        self.rules, self.variables = aa_exec.parse(PROFILE, "libvirtd")

    def allowed(self, path):
        return aa_exec.decide(self.rules, self.variables, path)[0]

    def test_paths_an_exec_rule_of_the_profile_matches_are_allowed(self):
        for path in ["/usr/sbin/libvirt-hook", "/etc/libvirt/hooks/qemu", "/etc/libvirt/hooks/qemu.d/libvirt-hook",
                     "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", "/srv/with space/hook", "/opt/mode-first/hook",
                     "/usr/lib/qemu/qemu-bridge-helper", "/usr/bin/extra/tool", "/opt/tools/extra/tool"]:
            with self.subTest(path=path):
                self.assertTrue(self.allowed(path))

    def test_paths_only_a_read_rule_or_no_rule_matches_are_not(self):
        for path in ["/usr/libexec/libvirt-hook/libvirt-hook", "/usr/local/sbin/libvirt-hook", "/usr/bin/qemu-img",
                     "/usr/sbin/nested/x", "/usr/local/bin/extra/tool"]:
            with self.subTest(path=path):
                self.assertFalse(self.allowed(path))

    def test_a_deny_rule_wins_over_an_allow_rule(self):
        allowed, rule = aa_exec.decide(self.rules, self.variables, "/usr/sbin/apparmor_parser")
        self.assertFalse(allowed)
        self.assertIn("audit deny", rule.text)
        self.assertFalse(self.allowed("/etc/libvirt/hooks/secret"))
        self.assertTrue(self.allowed("/etc/libvirt/hooks/secrets"))

    def test_rules_of_child_profiles_hats_other_profiles_and_comments_do_not_count(self):
        self.assertFalse(self.allowed("/usr/libexec/anything"))
        self.assertFalse(self.allowed("/hat/x"))
        self.assertFalse(self.allowed("/usr/local/sbin/x"))
        other_rules, other_variables = aa_exec.parse(PROFILE, "other")
        self.assertTrue(aa_exec.decide(other_rules, other_variables, "/usr/libexec/anything")[0])

    def test_a_profile_is_found_by_its_attachment_path_too(self):
        rules, _ = aa_exec.parse(PROFILE, "/usr/sbin/libvirtd")
        self.assertEqual(len(rules), len(self.rules))

    def test_a_missing_profile_is_an_error_that_names_it(self):
        with self.assertRaisesRegex(aa_exec.ProfileError, '"virtqemud"'):
            aa_exec.parse(PROFILE, "virtqemud")


class CommandSpecs(unittest.TestCase):
    def run_command(self, *paths):
        with tempfile.NamedTemporaryFile("w", suffix=".profile", delete=False) as handle:
            handle.write(PROFILE)
        try:
            return subprocess.run([sys.executable, aa_exec.__file__, handle.name, "libvirtd", *paths],
                                  capture_output=True, text=True)
        finally:
            os.unlink(handle.name)

    def test_it_exits_0_and_names_the_rule_when_every_path_is_allowed(self):
        result = self.run_command("/usr/sbin/libvirt-hook", "/etc/libvirt/hooks/qemu")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn('allow /usr/sbin/libvirt-hook by "/usr/sbin/* PUx,"', result.stdout)

    def test_it_exits_1_and_says_why_when_one_path_is_not(self):
        result = self.run_command("/usr/sbin/libvirt-hook", "/usr/libexec/libvirt-hook/libvirt-hook", "/sbin/apparmor_parser")
        self.assertEqual(result.returncode, 1)
        self.assertIn("deny /usr/libexec/libvirt-hook/libvirt-hook: no rule", result.stdout)
        self.assertIn('deny /sbin/apparmor_parser by "audit deny', result.stdout)


if __name__ == "__main__":
    unittest.main()
