"""Make: the sample returns and the blank templates."""
