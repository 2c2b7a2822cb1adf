"""Who acts: accounts and agencies, who may do what (access), the directory, departments and sign-in."""
